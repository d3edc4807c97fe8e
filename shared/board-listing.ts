/**
 * A board as the board list shows it (GET /api/boards): what the server
 * answers and what the client reads, in one shape.
 */
import { z } from 'zod'
import { snapshotReviewStatusSchema } from './review-status.ts'
import { roleSchema } from './roles.ts'

export const boardListingSchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.string(),
  role: roleSchema,
  /** The summary the server keeps as the board changes; null until the board has first been loaded since it existed. */
  marking: z.string().nullable(),
  assessmentCount: z.number().nullable(),
  claimCount: z.number().nullable(),
  lastChangeAt: z.string().nullable(),
  /** Set while the board is archived (read-only for everyone), with who archived it. */
  archivedAt: z.string().nullable(),
  archivedBy: z.string().nullable(),
  /** The newest signed-off snapshot's review; null when no snapshot has been signed off. */
  review: snapshotReviewStatusSchema.nullable(),
})

export type BoardListing = z.infer<typeof boardListingSchema>
