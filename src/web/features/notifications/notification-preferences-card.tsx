/**
 * My notification preferences on my profile: email and the app or the app only, quiet days
 * (no reminders or digest on them), and the weekly digest. Saved together with one button.
 */
import { Alert, Button, Card, Checkbox, Group, Radio, Stack, Switch, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { QueryState } from "../../components/query-state.js";
import { ApiError, api, get } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { keys } from "../../lib/queries.js";
import type { NotificationPreferences } from "../../lib/types.js";

const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;

function PreferencesForm({ saved }: { saved: NotificationPreferences }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<NotificationPreferences | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const prefs = draft ?? saved;
  const change = (next: Partial<NotificationPreferences>) => {
    setConfirmed(false);
    setDraft({ ...prefs, ...next });
  };
  const save = useMutation({
    mutationFn: () => api<NotificationPreferences>("PATCH", "/me/notification-preferences", prefs),
    onSuccess: (answer) => {
      queryClient.setQueryData(keys.notificationPreferences, answer);
      setDraft(null);
      // Said beside the button (a status region), where the eyes and a screen reader already are.
      setConfirmed(true);
    },
  });
  const details = save.error instanceof ApiError ? (save.error.details as string[] | null) : null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="md">
        <Radio.Group
          label={t("notices.prefs.channel")}
          value={prefs.channel}
          onChange={(v) => change({ channel: v === "inApp" ? "inApp" : "email" })}
        >
          <Stack gap={6} mt={6}>
            <Radio value="email" label={t("notices.prefs.channelEmail")} />
            <Radio value="inApp" label={t("notices.prefs.channelInApp")} />
          </Stack>
        </Radio.Group>
        <Checkbox.Group
          label={t("notices.prefs.quietDays")}
          description={t("notices.prefs.quietDaysHint")}
          value={prefs.quietDays.map(String)}
          onChange={(v) => change({ quietDays: v.map(Number).sort((a, b) => a - b) })}
        >
          <Group gap="md" mt={6}>
            {WEEKDAYS.map((d) => (
              <Checkbox key={d} value={d} label={t(`notices.prefs.weekdays.${d}`)} />
            ))}
          </Group>
        </Checkbox.Group>
        <Switch
          label={t("notices.prefs.digest")}
          description={t("notices.prefs.digestHint")}
          checked={prefs.digest}
          onChange={(e) => change({ digest: e.currentTarget.checked })}
        />
        {save.error && (
          <Alert color="red" role="alert" title={t("common.error")}>
            {details?.length ? details.join(" · ") : save.error.message}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={draft === null}>
            {t("notices.prefs.save")}
          </Button>
          {confirmed && (
            <Text size="sm" c="teal.9" role="status">
              {t("notices.prefs.saved")}
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

export function NotificationPreferencesCard() {
  const prefs = useQuery({
    queryKey: keys.notificationPreferences,
    queryFn: () => get<NotificationPreferences>("/me/notification-preferences"),
  });
  return (
    <Card withBorder component="section" aria-labelledby="notifications" id="notifications-section">
      <Title order={3} size="h4" id="notifications" mb="xs">
        {t("notices.prefs.title")}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t("notices.prefs.intro")}
      </Text>
      <QueryState query={prefs}>{(saved) => <PreferencesForm saved={saved} />}</QueryState>
    </Card>
  );
}
