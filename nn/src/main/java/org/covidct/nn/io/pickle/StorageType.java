package org.covidct.nn.io.pickle;

/** The torch.*Storage classes a state dict may reference, with the size of one element in bytes. */
public enum StorageType {
    FLOAT("FloatStorage", 4),
    DOUBLE("DoubleStorage", 8),
    HALF("HalfStorage", 2),
    BFLOAT16("BFloat16Storage", 2),
    LONG("LongStorage", 8),
    INT("IntStorage", 4),
    SHORT("ShortStorage", 2),
    CHAR("CharStorage", 1),
    BYTE("ByteStorage", 1),
    BOOL("BoolStorage", 1);

    private final String className;
    private final int elementSize;

    StorageType(String className, int elementSize) {
        this.className = className;
        this.elementSize = elementSize;
    }

    /** The class name in module torch, as pickles spell it (FloatStorage). */
    public String className() {
        return className;
    }

    public int elementSize() {
        return elementSize;
    }

    @Override
    public String toString() {
        return "torch." + className;
    }
}
