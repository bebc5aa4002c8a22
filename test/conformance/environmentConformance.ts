// Moved to the shipped kit (`@mappa/sdk/testing`); this path stays for the repo's tests.
export * from '../../testing/environmentConformance.js';
