// File URL of a module beside the caller, whether running built (dist/*.js) or from source
// (tests run src/*.ts directly).
export function siblingModule(name: string, base: string): string {
  const fromSource = base.endsWith('.ts');
  return new URL(fromSource ? `./${name}.ts` : `./${name}.js`, base).href;
}
