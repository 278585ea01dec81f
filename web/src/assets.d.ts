/** Stylesheets imported for esbuild to bundle (scripts/build-web.js); they export nothing. */
declare module '*.css';
