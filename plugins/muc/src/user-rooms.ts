/**
 * How many rooms of each component domain each user (bare JID) is an occupant of, for 'max-rooms-per-user'.
 * A room reports a user's first occupant in and last occupant out (Room.addOccupant, Room.removeOccupant), so
 * the count follows every way in and out (join, exit, kick, ban, destroy, a failed session) and the check on
 * join is one lookup. A room leaves memory only once empty, with no user left to count.
 */
export class UserRooms {
  /** `<domain>/<bare JID>` → rooms; a domain has no '/'. */
  private readonly counts = new Map<string, number>();

  entered(domain: string, bare: string): void {
    const key = domain + '/' + bare;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  left(domain: string, bare: string): void {
    const key = domain + '/' + bare;
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  /** The rooms of `domain` the user is an occupant of. */
  of(domain: string, bare: string): number {
    return this.counts.get(domain + '/' + bare) ?? 0;
  }
}
