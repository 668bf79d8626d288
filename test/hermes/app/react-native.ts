// Stands in for the `react-native` package where the bundle imports it: only
// `react-native-url-polyfill` does (`Platform.OS`, and `NativeModules.BlobModule` for blob URLs,
// which the CLI VM has no native module for, as an app without the Blob module has none).
export const Platform = {
  OS: 'android' as const,
  select: <T>(choices: { android?: T; default?: T }): T | undefined => choices.android ?? choices.default,
};
export const NativeModules: Record<string, unknown> = {};
