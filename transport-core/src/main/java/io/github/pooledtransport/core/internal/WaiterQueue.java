package io.github.pooledtransport.core.internal;

/**
 * A first-in first-out line of waiting requests that any one of them can leave in O(1), when it is served
 * elsewhere or gives up: nothing stays behind in the line. Guarded by the pool's lock.
 */
final class WaiterQueue {

    /** A waiter's place in one line. */
    static final class Link {

        final Waiter waiter;

        Link prev;

        Link next;

        boolean queued;

        Link(Waiter waiter) {
            this.waiter = waiter;
        }
    }

    private Link head;

    private Link tail;

    private int size;

    void add(Link link) {
        link.prev = this.tail;
        link.next = null;
        if (this.tail != null) {
            this.tail.next = link;
        }
        else {
            this.head = link;
        }
        this.tail = link;
        link.queued = true;
        this.size++;
    }

    /** Takes the link out of this line; nothing when it is not in it. */
    void remove(Link link) {
        if (!link.queued) {
            return;
        }
        if (link.prev != null) {
            link.prev.next = link.next;
        }
        else {
            this.head = link.next;
        }
        if (link.next != null) {
            link.next.prev = link.prev;
        }
        else {
            this.tail = link.prev;
        }
        link.prev = null;
        link.next = null;
        link.queued = false;
        this.size--;
    }

    /** @return the first waiter, taken out of the line, or {@code null} */
    Waiter poll() {
        Link first = this.head;
        if (first == null) {
            return null;
        }
        remove(first);
        return first.waiter;
    }

    int size() {
        return this.size;
    }

    /** @return the waiters in line, first first; for invariant checks */
    java.util.List<Waiter> toList() {
        java.util.List<Waiter> all = new java.util.ArrayList<>(this.size);
        for (Link l = this.head; l != null; l = l.next) {
            all.add(l.waiter);
        }
        return all;
    }
}
