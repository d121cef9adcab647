// Attribute values as text: strings as they are, everything else as JSON.
export function attributeText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "null";
  return JSON.stringify(v);
}

// A key/value table of attributes, keys sorted; "none" when empty.
export function AttributeTable({ attributes, testId }: { attributes: Record<string, unknown>; testId?: string }) {
  const keys = Object.keys(attributes ?? {}).sort();
  if (keys.length === 0) return <div className="muted">none</div>;
  return (
    <table className="kv" data-testid={testId}>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <td className="k" title={k}>
              {k}
            </td>
            <td className="v">{attributeText(attributes[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
