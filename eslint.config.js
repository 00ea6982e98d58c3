// ESLint flat config. Prettier owns formatting (eslint-config-prettier, last, switches off every rule it
// owns); ESLint looks for bugs: typescript-eslint, React's hook rules, and the dashboard's accessibility.
//
// Not type-aware on purpose: recommendedTypeChecked took 2.5 min (67 s CPU) on the shared 2-core machine,
// as long as the typecheck itself, and `npm run typecheck` already runs tsc in strict mode.
import js from "@eslint/js";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import prettier from "eslint-config-prettier";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/", "public/build/", ".cache/", "node_modules/", "data/", "test-artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_`-prefixed names are deliberately unused (a parameter kept for its position, a member dropped by destructuring).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // Type-only imports stay visibly type-only (isolatedModules; nothing server-only leaks into the browser bundle by a type).
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // An exception to a rule says why, on the same line: `// eslint-disable-next-line rule -- reason`.
      "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }],
    },
  },
  {
    // Migrations (and the adoption of pre-migrator files) run against the schema as it was at their version,
    // not today's typed one: Kysely's documented pattern is Kysely<any> there.
    files: ["app/db/migrations/**", "app/db/legacy.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.tsx"],
    ...jsxA11y.flatConfigs.recommended,
    languageOptions: { ...jsxA11y.flatConfigs.recommended.languageOptions, globals: { ...globals.browser, ...globals.node } },
  },
  {
    // The plugin's recommended set: the rules of hooks, exhaustive deps, and the React Compiler's checks
    // (no setState straight in an effect, no ref read or written during render, pure render).
    // Only where React is: in server modules a callback named `use` is not React's use() (no .ts file imports react).
    files: ["app/**/*.tsx"],
    ...reactHooks.configs.flat["recommended-latest"],
    rules: { ...reactHooks.configs.flat["recommended-latest"].rules, "react-hooks/exhaustive-deps": "error" },
  },
  prettier,
);
