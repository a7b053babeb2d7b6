package org.covidct.nn.io.pickle;

/**
 * A storage named by a persistent id: the root storage {@code key} of {@code rootNumel} elements
 * of {@code type}, of which this reference sees {@code numel} elements from element
 * {@code offset} on (legacy files could save views of a storage; otherwise the whole root).
 */
public record StorageRef(StorageType type, String key, long rootNumel, long offset, long numel) {
    public StorageRef {
        if (rootNumel < 0 || offset < 0 || numel < 0 || offset > rootNumel || numel > rootNumel - offset) {
            throw new IllegalArgumentException("storage view [" + offset + ", +" + numel + ") outside a root of "
                    + rootNumel + " elements");
        }
    }

    /** A reference to a whole root storage. */
    public static StorageRef whole(StorageType type, String key, long numel) {
        return new StorageRef(type, key, numel, 0, numel);
    }
}
