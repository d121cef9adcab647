import type { Shortcut } from "../state/shortcuts";

// The list of keyboard shortcuts, opened with "?".
export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose} data-testid="shortcut-help">
      <div className="modal panel" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="data">
          <tbody>
            {shortcuts.map((s) => (
              <tr key={s.keys}>
                <td>
                  {s.keys.split(" ").map((k, i) => (
                    <kbd key={i}>{k}</kbd>
                  ))}
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
