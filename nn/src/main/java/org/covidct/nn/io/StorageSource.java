package org.covidct.nn.io;

import org.covidct.nn.io.pickle.StorageRef;

/** Where the bytes of a file's storages come from (zip records or the tail of a legacy file). */
interface StorageSource extends AutoCloseable {
    /** The unpickled top-level object. */
    Object pickled();

    /**
     * Checks, before anything is allocated for it, that the file really holds all
     * {@code root.rootNumel()} elements of the root storage.
     */
    void checkAvailable(StorageRef root) throws WeightFileException;

    /** Decodes {@code dst.length} elements of {@code ref}, starting at its element {@code elementOffset}. */
    void read(StorageRef ref, long elementOffset, float[] dst) throws WeightFileException;

    @Override
    void close();
}
