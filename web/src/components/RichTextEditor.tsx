import "@mantine/tiptap/styles.css";
import { RichTextEditor as MantineEditor } from "@mantine/tiptap";
import { type Editor, type UseEditorOptions, useEditor } from "@tiptap/react";

/**
 * A Tiptap editor whose editable area is a labelled multi-line text box (ProseMirror's
 * contenteditable has no role of its own, so screen readers and tests could not name it).
 */
export function useRichTextEditor(label: string, options: Omit<UseEditorOptions, "editorProps">) {
  return useEditor({
    ...options,
    editorProps: { attributes: { role: "textbox", "aria-multiline": "true", "aria-label": label } },
  });
}

/**
 * The console's rich-text box: bold, italic, underline and links; with `blocks`, also headings
 * and lists, each kind in its own toolbar group (without them the few buttons share one group).
 */
export function RichTextEditor({
  editor,
  blocks = false,
  minHeight,
  "aria-label": ariaLabel,
}: {
  editor: Editor | null;
  blocks?: boolean;
  minHeight?: number | undefined;
  "aria-label"?: string | undefined;
}) {
  const marks = (
    <>
      <MantineEditor.Bold />
      <MantineEditor.Italic />
      <MantineEditor.Underline />
    </>
  );
  const links = (
    <>
      <MantineEditor.Link />
      <MantineEditor.Unlink />
    </>
  );
  return (
    <MantineEditor editor={editor} aria-label={ariaLabel}>
      <MantineEditor.Toolbar>
        {blocks ? (
          <>
            <MantineEditor.ControlsGroup>{marks}</MantineEditor.ControlsGroup>
            <MantineEditor.ControlsGroup>
              <MantineEditor.H2 />
              <MantineEditor.H3 />
              <MantineEditor.BulletList />
              <MantineEditor.OrderedList />
            </MantineEditor.ControlsGroup>
            <MantineEditor.ControlsGroup>{links}</MantineEditor.ControlsGroup>
          </>
        ) : (
          <MantineEditor.ControlsGroup>
            {marks}
            {links}
          </MantineEditor.ControlsGroup>
        )}
      </MantineEditor.Toolbar>
      <MantineEditor.Content mih={minHeight} />
    </MantineEditor>
  );
}
