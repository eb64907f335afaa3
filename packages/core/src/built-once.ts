/**
 * A value built on its first use and kept. For what a cold start would otherwise build at import whether or
 * not the invocation needs it (zod schemas: a config write validates one body, a webhook is parsed by one
 * source's schemas), so each function pays only for what it uses.
 */
export const builtOnce = <T>(build: () => T): (() => T) => {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
};
