import { Button, type ButtonProps, Tooltip, VisuallyHidden } from "@mantine/core";
import { type ReactNode, useId } from "react";

/**
 * A button that cannot be used, with the reason on hover and keyboard focus (and read out by
 * screen readers). It stays focusable: a disabled `<button>` gets no hover or focus, so its
 * reason could never be seen.
 */
export function DisabledWithReason({
  reason,
  children,
  ...props
}: ButtonProps & { reason: string; children: ReactNode }) {
  const id = useId();
  return (
    <>
      <Tooltip label={reason} multiline w={280} events={{ hover: true, focus: true, touch: true }} withArrow>
        <Button {...props} data-disabled aria-disabled="true" aria-describedby={id} onClick={(e) => e.preventDefault()}>
          {children}
        </Button>
      </Tooltip>
      <VisuallyHidden id={id}>{reason}</VisuallyHidden>
    </>
  );
}
