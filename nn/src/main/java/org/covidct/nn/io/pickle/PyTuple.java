package org.covidct.nn.io.pickle;

import java.util.List;

/** An immutable Python tuple. */
public record PyTuple(List<Object> items) {
    public PyTuple {
        items = List.copyOf(items);
    }

    public static PyTuple of(Object... items) {
        return new PyTuple(List.of(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }

    /** Shallow on purpose: a tuple nested thousands deep must not recurse here. */
    @Override
    public String toString() {
        return "tuple of " + items.size() + " items";
    }
}
