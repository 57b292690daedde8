// Formats values the way Grafana shows them, with Grafana's own code (@grafana/data):
// numbers through a field's display processor (the unit's value format, decimals, time
// zone), legend/title templates through renderLegendFormat (annotation titles), and a
// stat panel's query result through getFieldDisplayValues with the panel's fieldConfig
// and reduceOptions (mappings, noValue, thresholds: what the stat shows, "No data" too).
//
// stdin: {"timeZone": "utc",
//         "cells": [{"unit": "dateTimeAsIso", "value": 1764441600000}],
//         "legends": [{"format": "{{product}}: {{state}}", "labels": {"product": "X", ...}}],
//         "stats": [{"fieldConfig": {...}, "reduceOptions": {...}, "values": [12, "NaN"]}]}
// stdout: {"texts": ["2025-11-29 18:40:00"], "legends": ["X: Major"],
//          "stats": [[{"text": "12 s", "color": "#F2495C"}, ...]],
//          "timeUnits": ["dateTimeAsIso", ..., "s", ...]}
// A stat's values are the numbers of its query's series, one each ("NaN" for NaN); none:
// the query returned nothing.
// where timeUnits are the unit ids of Grafana's "Date & time" and "Time" unit categories
// (frequency excluded). Exit code 2 on bad input. Used by tests/test_live_dashboard.py.
//
// CommonJS on purpose: the package's ESM build imports moment-timezone by named export,
// which node refuses; its CJS build loads.

"use strict";

// Node 20 has no `navigator` (browsers and node >= 21 do); Grafana reads the languages
// from it to build its local date formats, so give it the browser's minimal shape.
globalThis.navigator ??= { language: "en-US", languages: ["en-US"] };

const { readFileSync } = require("node:fs");
const {
  FieldType,
  createTheme,
  formattedValueToString,
  getDisplayProcessor,
  getFieldDisplayValues,
  getValueFormats,
  renderLegendFormat,
  toDataFrame,
} = require("@grafana/data");

const TIME_CATEGORIES = new Set(["Date & time", "Time"]);
const NOT_TIME = new Set(["hertz"]);

function timeUnits() {
  return getValueFormats()
    .filter((category) => TIME_CATEGORIES.has(category.text))
    .flatMap((category) => category.submenu.map((unit) => unit.value))
    .filter((unit) => !NOT_TIME.has(unit));
}

function format(cells, timeZone) {
  const theme = createTheme();
  return cells.map(({ unit, value }) => {
    if (typeof unit !== "string" || typeof value !== "number") {
      throw new Error(`bad cell: ${JSON.stringify({ unit, value })}`);
    }
    const field = { name: "Value", type: FieldType.number, config: { unit }, values: [value] };
    const display = getDisplayProcessor({ field, theme, timeZone });
    return formattedValueToString(display(value));
  });
}

function legends(templates) {
  return templates.map(({ format, labels }) => renderLegendFormat(format, labels));
}

function stats(panels, timeZone) {
  const theme = createTheme();
  return panels.map(({ fieldConfig, reduceOptions, values }) => {
    const defaults = fieldConfig?.defaults ?? {};
    const data = (values ?? []).map((value) =>
      toDataFrame({
        fields: [{ name: "Value", type: FieldType.number, config: { ...defaults }, values: [Number(value)] }],
      }),
    );
    const shown = getFieldDisplayValues({
      data,
      fieldConfig: { defaults, overrides: [] },
      reduceOptions: reduceOptions ?? { calcs: ["lastNotNull"], values: false },
      replaceVariables: (text) => text,
      theme,
      timeZone,
    });
    return shown.map(({ display }) => ({ text: formattedValueToString(display), color: display.color ?? null }));
  });
}

let request;
try {
  request = JSON.parse(readFileSync(0, "utf8"));
  for (const key of ["cells", "legends", "stats"]) {
    if (!Array.isArray(request[key] ?? [])) throw new Error(`${key} must be an array`);
  }
} catch (error) {
  process.stderr.write(`format.cjs: ${error.message}\n`);
  process.exit(2);
}
const answer = {
  texts: format(request.cells ?? [], request.timeZone ?? "utc"),
  legends: legends(request.legends ?? []),
  stats: stats(request.stats ?? [], request.timeZone ?? "utc"),
  timeUnits: timeUnits(),
};
process.stdout.write(JSON.stringify(answer) + "\n");
