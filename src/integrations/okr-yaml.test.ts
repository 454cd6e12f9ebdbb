/**
 * Reading OKR files (problems with their lines) and linting them offline.
 */
import { describe, expect, it } from "vitest";
import { lintOkrYaml, parseOkrYaml, readOkrYaml, writeOkrYaml } from "./okr-yaml.js";

const NOW = Date.UTC(2026, 1, 10);

const GOOD = `version: 1
period: Q1 2026
objectives:
  - ref: growth
    title: Customers get value in their first week
    level: organization
    owners: [maya@example.com]
    keyResults:
      - ref: ttv
        title: Median days to first dashboard
        type: decrease
        start: 12
        target: 3
        owners: [grace@example.com]
      - ref: nrr
        title: Net revenue retention
        type: increase
        unit: percent
        start: 104
        target: 115
      - ref: portal
        title: Launch the onboarding portal
        type: milestone
        owners: [grace@example.com]
`;

describe("reading an OKR file", () => {
  it("gives every schema problem as path: message on its line", () => {
    const r = readOkrYaml(
      [
        "version: 1", // 1
        "period: Q1 2026", // 2
        "objectives:", // 3
        "  - ref: a", // 4
        "    title: A", // 5
        "    level: department", // 6
        "    owners: [not-an-email]", // 7
        "    keyResults:", // 8
        "      - ref: k", // 9
        "        title: K", // 10
        "        type: increase", // 11
        "        colour: red", // 12
        "        start: lots", // 13
      ].join("\n"),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      expect.objectContaining({ line: 6, path: "objectives[0].level" }),
      expect.objectContaining({ line: 7, path: "objectives[0].owners[0]", message: "must be an email address" }),
      expect.objectContaining({ line: 13, path: "objectives[0].keyResults[0].start" }),
      expect.objectContaining({
        line: 12,
        path: "objectives[0].keyResults[0]",
        message: "unknown field colour: check the spelling against docs/okrs-as-code.md",
      }),
    ]);
  });

  it("reports refs used twice, an initiative's foreign key result and a team objective without its team, with lines", () => {
    const r = readOkrYaml(
      `${GOOD}  - ref: ttv
    title: Sales
    level: team
    initiatives:
      - ref: i1
        title: Partner programme
        keyResult: nrr
`,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      '25 objectives[1].ref: "ttv" is already used at objectives[0].keyResults[0]; each ref must be unique',
      "25 objectives[1].team: a team-level objective needs its team; give team, or choose another level",
      '31 objectives[1].initiatives[0].keyResult: "nrr" is not a key result of this objective',
    ]);
  });

  it("reports broken YAML with its line", () => {
    const r = readOkrYaml("version: 1\nobjectives:\n  - ref: a\n   title: [unclosed\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.line).toBeGreaterThan(1);
  });

  it("writes what it reads back unchanged", () => {
    const file = parseOkrYaml(GOOD);
    expect(parseOkrYaml(writeOkrYaml(file))).toEqual(file);
  });
});

describe("linting an OKR file offline", () => {
  it("runs the coach with the line of each finding", () => {
    const { problems, findings } = lintOkrYaml(GOOD, NOW);
    expect(problems).toEqual([]);
    expect(findings.map((f) => `${f.line} ${f.severity} ${f.checkId} ${f.objectId}`)).toEqual([
      "15 warn kr-owner nrr",
      "21 warn kr-task-like portal",
    ]);
  });

  it("finds errors: an objective without owners, a key result that cannot be measured", () => {
    const text = GOOD.replace("    owners: [maya@example.com]\n", "").replace("        target: 3\n", "");
    const errors = lintOkrYaml(text, NOW).findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => `${f.line} ${f.checkId}`)).toEqual(["4 objective-owner", "8 kr-measurable"]);
  });

  it("leaves out the checks of progress over time: a file states a plan", () => {
    const late = Date.UTC(2026, 2, 25);
    const ids = lintOkrYaml(GOOD, late).findings.map((f) => f.checkId);
    expect(ids).not.toContain("no-check-in");
    expect(ids).not.toContain("no-progress");
  });
});
