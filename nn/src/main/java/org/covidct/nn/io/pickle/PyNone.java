package org.covidct.nn.io.pickle;

/** Python's None (Java null is never a pickle value, so that collections can hold it unambiguously). */
public enum PyNone {
    NONE;

    @Override
    public String toString() {
        return "None";
    }
}
