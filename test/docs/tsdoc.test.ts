/**
 * The API reference is the TSDoc of the published declarations: every symbol that an entry of
 * the package exports has a description and an `@example`, and every optional property of an
 * options interface says its `@default`. Checked on dist/*.d.ts, what an editor shows a user.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entries = ['index', 'core', 'server', 'testing', 'iam'];
const files = entries.map((entry) => join(root, 'dist', `${entry}.d.ts`));
const program = ts.createProgram(files, {
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
});
const checker = program.getTypeChecker();

function exportsOf(file: string): ts.Symbol[] {
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!);
  return module ? checker.getExportsOfModule(module) : [];
}

const resolved = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const described = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
const tagged = (symbol: ts.Symbol, tag: string) => symbol.getJsDocTags(checker).some((t) => t.name === tag);

describe('TSDoc on every export (the API reference)', () => {
  for (const [i, entry] of entries.entries()) {
    it(`axios-amplify-auth${entry === 'index' ? '' : `/${entry}`}: a description and an @example on every export`, () => {
      const exported = exportsOf(files[i]!);
      expect(exported.length).toBeGreaterThan(0);
      const missing = exported.flatMap((symbol) => {
        const target = resolved(symbol);
        const lacks = [!described(target) && 'description', !tagged(target, 'example') && '@example'].filter(Boolean);
        return lacks.length ? [`${symbol.name}: ${lacks.join(', ')}`] : [];
      });
      expect(missing).toEqual([]);
    });

    it(`axios-amplify-auth${entry === 'index' ? '' : `/${entry}`}: every optional option says its @default`, () => {
      const missing = exportsOf(files[i]!).flatMap((symbol) => {
        const target = resolved(symbol);
        if (!/Options$/.test(symbol.name) || !(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) return [];
        const type = checker.getDeclaredTypeOfSymbol(target);
        return checker
          .getPropertiesOfType(type)
          .filter((property) => property.flags & ts.SymbolFlags.Optional)
          .filter((property) => !tagged(property, 'default') || !described(property))
          .map((property) => `${symbol.name}.${property.name}`);
      });
      expect(missing).toEqual([]);
    });
  }
});
