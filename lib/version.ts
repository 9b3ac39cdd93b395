/** The MikroClaw version; kept equal to `package.json` and `jsr.json` by `test/meta_test.ts`. */
export const VERSION: string = "0.1.0";
