/** A secret or link shown once, with a button that copies it. */
import { Button, Code, CopyButton, Group } from "@mantine/core";
import { t } from "../lib/i18n.js";

export function CopyableCode({ value, testId }: { value: string; testId?: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Code style={{ wordBreak: "break-all" }} data-testid={testId}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="xs" variant="light" onClick={copy} style={{ flexShrink: 0 }}>
            {copied ? t("profile.copied") : t("profile.copy")}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
