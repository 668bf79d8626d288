import axios from 'axios';

const [major = 0, minor = 0] = axios.VERSION.split('.').map(Number);

/** `transitional.legacyInterceptorReqResOrdering` exists from axios 1.19 (older ones refuse it as unknown). */
export const hasOrderingOption = major > 1 || (major === 1 && minor >= 19);
