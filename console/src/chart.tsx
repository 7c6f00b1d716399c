// A uPlot chart in a React component: made once per data/series change, resized with its box.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Column } from "./lib/chart-data.ts";

export interface Line {
  label: string;
  values: Column;
  color: string;
  /** Draw each value as a point too (durations: a lone period between empty ones has no line). */
  points?: boolean;
}

/** The theme's colours for a canvas (which cannot resolve CSS variables or currentColor itself). */
function themeColors(): { fg: string; line: string } {
  const css = getComputedStyle(document.documentElement);
  return {
    fg: css.getPropertyValue("--fg").trim() || "#1a1d23",
    line: css.getPropertyValue("--line").trim() || "#d4d8df",
  };
}

/** Changes when the system switches between light and dark, so the charts are redrawn. */
function useColorScheme(): boolean {
  const query = "(prefers-color-scheme: dark)";
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const on = (): void => setDark(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return dark;
}

export function Chart({
  title,
  x,
  lines,
  unit,
}: {
  title: string;
  x: number[];
  lines: Line[];
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const dark = useColorScheme();
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const { fg, line } = themeColors();
    const axis = { stroke: fg, grid: { stroke: line }, ticks: { stroke: line } };
    const width = Math.max(260, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 200,
        series: [
          {},
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            spanGaps: false,
            points: { show: l.points === true, size: 5, fill: l.color },
          })),
        ],
        axes: [axis, { ...axis, values: (_u, v) => v.map((n) => `${n}${unit}`) }],
        legend: { show: true },
      },
      [x, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(260, el.clientWidth), height: 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, lines, unit, dark]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
