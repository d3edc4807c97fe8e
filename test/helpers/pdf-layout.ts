/**
 * Where a PDF puts its words and its black bars, page by page, as poppler
 * reads and draws it: words from `pdftotext -bbox`, bars from the page drawn
 * by `pdftoppm` at 72 dpi (one pixel a point).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type PdfWord = { text: string; xMin: number; yMin: number; xMax: number; yMax: number }
export type PdfPage = { width: number; height: number; words: PdfWord[] }

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" }

export function pdfPages(file: string): PdfPage[] {
  const xhtml = execFileSync('pdftotext', ['-enc', 'UTF-8', '-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return [...xhtml.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)].map((page) => ({
    width: Number(page[1]),
    height: Number(page[2]),
    words: [...page[3]!.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((w) => ({
      xMin: Number(w[1]),
      yMin: Number(w[2]),
      xMax: Number(w[3]),
      yMax: Number(w[4]),
      text: w[5]!.replace(/&(amp|lt|gt|quot|apos);/g, (entity) => ENTITIES[entity]!),
    })),
  }))
}

/**
 * The vertical extents of the bars drawn across each page: runs of rows dark
 * at every one of `xs` (points from the left edge; pick them at both ends of
 * the bars, where no text of the page's column reaches both in one row).
 */
export function barsAcross(file: string, dir: string, xs: number[]): { top: number; bottom: number }[][] {
  execFileSync('pdftoppm', ['-gray', '-r', '72', file, join(dir, 'page')])
  return readdirSync(dir)
    .filter((name) => /^page-\d+\.pgm$/.test(name))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map((name) => {
      const bytes = readFileSync(join(dir, name))
      // Binary PGM: "P5", width, height, maximum value, each after white space, then one byte a pixel.
      const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString('latin1'))!
      const [width, height, start] = [Number(header[1]), Number(header[2]), header[0].length]
      const runs: { top: number; bottom: number }[] = []
      for (let y = 0; y < height; y++) {
        if (xs.some((x) => bytes[start + y * width + Math.floor(x)]! >= 128)) continue
        const last = runs.at(-1)
        if (last && last.bottom === y) last.bottom = y + 1
        else runs.push({ top: y, bottom: y + 1 })
      }
      return runs
    })
}
