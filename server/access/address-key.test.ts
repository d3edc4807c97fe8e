import { expect, it } from 'vitest'
import { addressKey } from './address-key.ts'

it('counts an IPv4 address as it is, mapped into IPv6 or not, and an IPv6 address by its /64', () => {
  expect(addressKey('203.0.113.7')).toBe('203.0.113.7')
  expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
  // One host's addresses within its /64, however they are written, count together.
  const host = ['2001:db8:1:2:3:4:5:6', '2001:DB8:1:2::9', '2001:0db8:0001:0002:ffff::', '2001:db8:1:2::1%eth0']
  expect(new Set(host.map(addressKey))).toEqual(new Set(['2001:db8:1:2::/64']))
  expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
  expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'))
  expect(addressKey('::1')).toBe('0:0:0:0::/64')
})
