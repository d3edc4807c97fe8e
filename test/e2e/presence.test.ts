/**
 * Five people on one board, each in a browser of their own, at 1024×768 and
 * 1280×720: each sees the four others in the header with colours no two
 * share, every viewer gives each person the same colour, and initials tell
 * apart the three whose names start alike; the ring on the card someone is on
 * is their colour.
 */
import { expect, it } from 'vitest'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, seedBoard, type Person } from '../helpers/browser.ts'
import { horizontalOverflow, unreachable } from '../helpers/layout.ts'
import { waitFor } from '../helpers/wait-for.ts'

const PEOPLE = { ana: 'Ana Petrova', andrei: 'Andrei Pavlov', anaP: 'Ana Petrenko', boris: 'Boris Orlov', carol: 'Carol Reviewer' } as const

type Avatar = { name: string; initials: string; colour: string }

function avatars(person: Person): Promise<Avatar[]> {
  return person.page.locator('ul[aria-label="On this board now"] button').evaluateAll((buttons) =>
    buttons.map((button) => ({
      name: button.getAttribute('data-peer') ?? '',
      initials: button.textContent?.trim() ?? '',
      colour: getComputedStyle(button).backgroundColor,
    })),
  )
}

describeInBrowser('presence of five people', () => {
  const suite = browserSuite(PEOPLE)

  it('gives five people five distinct colours, the same in every browser, and initials that tell them apart', async () => {
    const { ana, andrei, anaP, boris, carol } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, 'Five analysts', [
      { account: andrei, role: 'editor' },
      { account: anaP, role: 'editor' },
      { account: boris, role: 'editor' },
      { account: carol, role: 'reviewer' },
    ])
    const {
      assessments: [card],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Wagner stays in Belarus' }] })
    const people: Person[] = []
    for (const [index, account] of [ana, andrei, anaP, boris, carol].entries()) {
      const person = await suite.person(account)
      await person.page.setViewportSize(index % 2 === 0 ? { width: 1024, height: 768 } : { width: 1280, height: 720 })
      await openBoard(person, suite.server, boardId)
      people.push(person)
    }

    // Everyone sees the four others.
    const seen = new Map<Person, Avatar[]>()
    for (const person of people) {
      await waitFor(async () => (await avatars(person)).length === 4, `${person.name} to see the four others`, 30_000)
      seen.set(person, await avatars(person))
    }
    // One colour and one set of initials per person, whoever looks; five colours, five sets of initials.
    const colourOf = new Map<string, string>()
    const initialsOf = new Map<string, string>()
    for (const [viewer, list] of seen) {
      expect(list.map((avatar) => avatar.name)).not.toContain(viewer.name)
      for (const avatar of list) {
        expect(colourOf.get(avatar.name) ?? avatar.colour, `${avatar.name}'s colour as ${viewer.name} sees it`).toBe(avatar.colour)
        expect(initialsOf.get(avatar.name) ?? avatar.initials, `${avatar.name}'s initials as ${viewer.name} sees them`).toBe(avatar.initials)
        colourOf.set(avatar.name, avatar.colour)
        initialsOf.set(avatar.name, avatar.initials)
      }
    }
    expect(colourOf.size).toBe(5)
    expect(new Set(colourOf.values()).size).toBe(5)
    expect(new Set(initialsOf.values()).size).toBe(5)
    expect(initialsOf.get(PEOPLE.boris)).toBe('BO')
    expect(initialsOf.get(PEOPLE.andrei)).toBe('AndPav')
    expect([initialsOf.get(PEOPLE.ana), initialsOf.get(PEOPLE.anaP)].sort()).toEqual(['AP1', 'AP2'])

    // Boris opens the card: the others see a ring in his colour, with his name.
    await people[3]!.page.locator(`[data-card-id="${card}"]`).click()
    const ring = people[0]!.page.locator(`[data-card-id="${card}"] .who[data-presence="${PEOPLE.boris}"]`)
    await ring.waitFor()
    expect(await ring.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(colourOf.get(PEOPLE.boris))

    // Four avatars with long initials still leave the header in the window.
    for (const person of people) {
      expect(await horizontalOverflow(person.page)).toBeLessThanOrEqual(0)
      expect(await unreachable(person.page.getByRole('button', { name: 'Sign out' }))).toBeNull()
    }
    await saveScreenshot(people[0]!.page, 'presence-five-people-1024x768')
  }, 150_000)
})
