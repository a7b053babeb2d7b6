package org.covidct.nn.io.pickle;

import java.util.Arrays;

/** A Python bytes object, compared by content. */
public record PyBytes(byte[] value) {
    public PyBytes {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyBytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "bytes of length " + value.length;
    }
}
