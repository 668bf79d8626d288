// The test app's entry, in the order a React Native app runs: React Native's setup (globals.ts
// plays InitializeCore), the URL polyfill as the README tells users, then the app.
import './globals';
import 'react-native-url-polyfill/auto';
import { main } from './checks';

void main();
