/**
 * OKRs in and out (admins, #13): download the template; pick a CSV or XLSX file (Okra's template
 * or Viva Goals' import template or explorer export); check it — a report per row of what will
 * happen or what is wrong and how to fix it, with what is missing (created on request) —; then
 * import it, with a progress bar while it uploads and while the server writes. Below: the
 * period's OKRs as a spreadsheet and the quarterly review deck.
 */
import { DisabledWithReason } from "../components/disabled-reason.js";
import { TableFrame } from "../components/table-frame.js";
import "../lib/i18n-import.js";
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  List,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconDownload, IconFileSpreadsheet, IconPresentation, IconUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import type * as C from "../../contract/index.js";
import { useCurrentPeriod } from "../app.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { ApiError, authHeaders, download } from "../lib/api.js";
import { t } from "../lib/i18n.js";

type Summary = z.infer<typeof C.OkrImportSummaryShape>;

/** The file as the API takes it: CSV text, or XLSX bytes in base64. */
async function readFile(file: File): Promise<{ format: "csv" | "xlsx"; content: string }> {
  if (/\.xlsx$/i.test(file.name)) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { format: "xlsx", content: btoa(binary) };
  }
  return { format: "csv", content: await file.text() };
}

/** POSTs the import with upload progress (fetch has none), answering the summary or throwing an ApiError. */
function send(body: unknown, onUpload: (share: number) => void): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/imports/okrs");
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "application/json");
    for (const [k, v] of Object.entries(authHeaders("POST"))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onUpload(e.loaded / e.total);
    };
    xhr.onload = () => {
      const json = (() => {
        try {
          return JSON.parse(xhr.responseText);
        } catch {
          return null;
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as Summary);
      else {
        const e = json?.error;
        reject(
          new ApiError(
            xhr.status,
            e?.code ?? "INTERNAL",
            e?.message ?? `The server answered ${xhr.status}.`,
            e?.details ?? null,
          ),
        );
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "NETWORK", t("import.network"), null));
    xhr.send(JSON.stringify(body));
  });
}

function Counts({ s }: { s: Summary }) {
  const c = (x: { created: number; updated: number; unchanged: number }) => t("import.counts", x);
  return (
    <List size="sm" spacing={2}>
      <List.Item>{t("import.objectives", { counts: c(s.objectives) })}</List.Item>
      <List.Item>{t("import.keyResults", { counts: c(s.keyResults) })}</List.Item>
      <List.Item>{t("import.initiatives", { counts: c(s.initiatives) })}</List.Item>
      <List.Item>{t("import.checkIns", s.checkIns)}</List.Item>
    </List>
  );
}

function Report({ s }: { s: Summary }) {
  const missing = [
    ...s.missing.people.map((p) => t("import.missingPerson", { p })),
    ...s.missing.teams.map((p) => t("import.missingTeam", { p })),
    ...s.missing.periods.map((p) => t("import.missingPeriod", { p })),
  ];
  return (
    <Stack gap="sm">
      <Text fw={600}>{t(s.dryRun ? "import.planned" : "import.done", { count: s.rows })}</Text>
      <Counts s={s} />
      {missing.length > 0 && (
        <Alert color="yellow" title={t("import.missingTitle")}>
          {missing.join(", ")}
        </Alert>
      )}
      {s.ignoredColumns.length > 0 && (
        <Text size="sm" c="dimmed">
          {t("import.ignored", { columns: s.ignoredColumns.join(", ") })}
        </Text>
      )}
      {s.problems.length > 0 && (
        <Stack gap={4}>
          <Title order={3} size="h5" c="red">
            {t("import.problems", { count: s.problems.length })}
          </Title>
          <TableFrame minWidth={420}>
            <Table striped withTableBorder aria-label={t("import.problemsTable")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("import.row")}</Table.Th>
                  <Table.Th>{t("import.column")}</Table.Th>
                  <Table.Th>{t("import.message")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.problems.slice(0, 500).map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a row may have several problems
                  <Table.Tr key={i}>
                    <Table.Td>{p.row}</Table.Td>
                    <Table.Td>{p.column ?? "—"}</Table.Td>
                    <Table.Td>{p.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableFrame>
        </Stack>
      )}
      {s.dryRun && s.preview.length > 0 && (
        <TableFrame minWidth={420}>
          <Table withTableBorder aria-label={t("import.previewTable")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("import.row")}</Table.Th>
                <Table.Th>{t("import.type")}</Table.Th>
                <Table.Th>{t("import.title")}</Table.Th>
                <Table.Th>{t("import.action")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {s.preview.map((p) => (
                <Table.Tr key={p.row}>
                  <Table.Td>{p.row}</Table.Td>
                  <Table.Td>{t(`import.types.${p.type}`)}</Table.Td>
                  <Table.Td>{p.title || p.ref}</Table.Td>
                  <Table.Td>
                    <Badge
                      variant="light"
                      color={p.action === "create" ? "teal" : p.action === "update" ? "blue" : "gray"}
                    >
                      {t(`import.actions.${p.action}`)}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableFrame>
      )}
    </Stack>
  );
}

export function ImportPage() {
  const queryClient = useQueryClient();
  const { period } = useCurrentPeriod();
  const [file, setFile] = useState<File | null>(null);
  const [createMissing, setCreateMissing] = useState(false);
  const [plan, setPlan] = useState<Summary | null>(null);
  const [result, setResult] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stage, setStage] = useState<"idle" | "checking" | "uploading" | "writing">("idle");
  const [uploaded, setUploaded] = useState(0);

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setError(null);
    setResult(null);
    if (dryRun) setPlan(null);
    setStage(dryRun ? "checking" : "uploading");
    setUploaded(0);
    try {
      const body = { ...(await readFile(file)), dryRun, createMissing };
      const s = await send(body, (share) => {
        setUploaded(share);
        if (share >= 1 && !dryRun) setStage("writing");
      });
      if (dryRun) setPlan(s);
      else {
        setResult(s);
        setPlan(null);
        await queryClient.invalidateQueries();
      }
    } catch (e) {
      setError(
        e instanceof ApiError && Array.isArray(e.details)
          ? `${e.message} ${(e.details as string[]).slice(0, 5).join(" · ")}`
          : String((e as Error).message),
      );
    } finally {
      setStage("idle");
    }
  };
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  return (
    <AdminsOnly title={t("import.pageTitle")}>
      <Stack gap="md" maw={1000}>
        <div>
          <Title order={2}>{t("import.pageTitle")}</Title>
          <Text c="dimmed" size="sm">
            {t("import.intro")}
          </Text>
        </div>
        <Card withBorder component="section" aria-labelledby="import-file">
          <Stack gap="sm">
            <Title order={3} size="h4" id="import-file">
              {t("import.fileTitle")}
            </Title>
            <Group gap="xs" wrap="wrap">
              <Button
                variant="subtle"
                size="xs"
                leftSection={<IconDownload size={14} />}
                onClick={() => download("/imports/okrs/template?format=xlsx", "okra-import-template.xlsx").catch(fail)}
              >
                {t("import.templateXlsx")}
              </Button>
              <Button
                variant="subtle"
                size="xs"
                leftSection={<IconDownload size={14} />}
                onClick={() => download("/imports/okrs/template?format=csv", "okra-import-template.csv").catch(fail)}
              >
                {t("import.templateCsv")}
              </Button>
            </Group>
            <FileInput
              label={t("import.fileLabel")}
              description={t("import.fileHelp")}
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              leftSection={<IconFileSpreadsheet size={16} />}
              value={file}
              onChange={(f) => {
                setFile(f);
                setPlan(null);
                setResult(null);
              }}
              clearable
              clearButtonProps={{ "aria-label": t("import.clearFile") }}
            />
            <Checkbox
              label={t("import.createMissing")}
              checked={createMissing}
              onChange={(e) => {
                setCreateMissing(e.currentTarget.checked);
                setPlan(null);
              }}
            />
            <Group gap="sm">
              {file ? (
                <Button variant="default" loading={stage === "checking"} onClick={() => void run(true)}>
                  {t("import.check")}
                </Button>
              ) : (
                <DisabledWithReason variant="default" reason={t("import.chooseFirst")}>
                  {t("import.check")}
                </DisabledWithReason>
              )}
              {plan && plan.problems.length === 0 ? (
                <Button
                  leftSection={<IconUpload size={16} />}
                  disabled={stage !== "idle"}
                  onClick={() => void run(false)}
                >
                  {t("import.importRows", { count: plan.rows })}
                </Button>
              ) : (
                <DisabledWithReason
                  leftSection={<IconUpload size={16} />}
                  reason={t(!file ? "import.chooseFirst" : plan ? "import.fixFirst" : "import.checkFirst")}
                >
                  {t("import.importAction")}
                </DisabledWithReason>
              )}
            </Group>
            {(stage === "uploading" || stage === "writing") && (
              <Stack gap={4}>
                <Progress
                  value={stage === "uploading" ? uploaded * 100 : 100}
                  animated={stage === "writing"}
                  striped={stage === "writing"}
                  aria-label={t("import.progress")}
                />
                <Text size="sm" role="status">
                  {stage === "uploading"
                    ? t("import.uploading", { share: Math.round(uploaded * 100) })
                    : t("import.writing")}
                </Text>
              </Stack>
            )}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            {plan && <Report s={plan} />}
            {result && (
              <Alert color="teal" role="status" title={t("import.imported")}>
                <Report s={result} />
              </Alert>
            )}
          </Stack>
        </Card>
        <Card withBorder component="section" aria-labelledby="export-title">
          <Stack gap="sm">
            <Title order={3} size="h4" id="export-title">
              {t("import.exportTitle")}
            </Title>
            <Text size="sm" c="dimmed">
              {t("import.exportHelp", { period: period?.name ?? "" })}
            </Text>
            <Group gap="sm" wrap="wrap">
              <Button
                variant="default"
                leftSection={<IconFileSpreadsheet size={16} />}
                disabled={!period}
                onClick={() =>
                  download(`/exports/okrs?format=xlsx&periodId=${period?.id}`, "okra-okrs.xlsx").catch(fail)
                }
              >
                {t("import.exportXlsx")}
              </Button>
              <Button
                variant="default"
                leftSection={<IconPresentation size={16} />}
                disabled={!period}
                onClick={() => download(`/exports/deck?periodId=${period?.id}`, "okra-review.pptx").catch(fail)}
              >
                {t("import.exportDeck")}
              </Button>
            </Group>
          </Stack>
        </Card>
      </Stack>
    </AdminsOnly>
  );
}
