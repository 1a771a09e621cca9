/** Reported by sys/health and sys/seal-status; clients parse it as a semantic version. */
export const VERSION = '1.15.0+coffer.0.1.0';
