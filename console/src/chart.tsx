// A uPlot chart in a React component: made once per data/series change, resized with its box.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Column } from "./lib/chart-data.ts";

export interface Line {
  label: string;
  values: Column;
  color: string;
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
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const width = Math.max(260, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 200,
        // Points as well as lines: a period alone between empty ones has no line to draw.
        series: [
          {},
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            spanGaps: false,
            points: { show: true, size: 5, fill: l.color },
          })),
        ],
        axes: [
          { stroke: "currentColor" },
          { stroke: "currentColor", values: (_u, v) => v.map((n) => `${n}${unit}`) },
        ],
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
  }, [x, lines, unit]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
