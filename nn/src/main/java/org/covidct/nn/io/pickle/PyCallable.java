package org.covidct.nn.io.pickle;

import org.covidct.nn.io.WeightFileException;

/**
 * An allow-listed global that REDUCE may call. Implementations build plain values; they never
 * load classes or run code named by the file. Exceptions carry the problem only; the unpickler adds
 * the file and offset.
 */
public interface PyCallable {
    /** The global's dotted Python name, for messages. */
    String name();

    Object call(PyTuple args) throws WeightFileException;
}
