// Modules a docs block imports that exist only in a React Native app.
declare module 'react-native-url-polyfill/auto';
