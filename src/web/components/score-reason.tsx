import { Text } from "@mantine/core";

/** A key result's score at the close, bold, with the reason given for it when there is one. */
export function ScoreReason({ score, reason, label }: { score: string; reason: string | null; label?: string }) {
  return (
    <>
      <Text span fw={700}>
        {score}
      </Text>
      {label ? ` ${label}` : null}
      {reason ? (
        <Text span c="dimmed">
          {" "}
          — {reason}
        </Text>
      ) : null}
    </>
  );
}
