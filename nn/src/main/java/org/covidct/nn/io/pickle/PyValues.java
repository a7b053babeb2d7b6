package org.covidct.nn.io.pickle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.WeightFileException;

/**
 * The value model of the restricted unpickler and checks on it. Python values map to: int to
 * {@link Long} (or {@link BigInteger} beyond 64 bits), float to {@link Double}, bool to
 * {@link Boolean}, str to {@link String}, bytes to {@link PyBytes}, None to {@link PyNone},
 * tuple to {@link PyTuple}, list to {@link java.util.ArrayList}, dict and OrderedDict to
 * {@link java.util.LinkedHashMap} (with str keys only, see {@link #asKey}); allow-listed globals
 * are {@link PyCallable}s or {@link StorageType}s.
 */
public final class PyValues {
    /** The longest dict key (and storage key) accepted; real ones are module paths. */
    public static final int MAX_KEY_LENGTH = 1024;
    private static final int MAX_QUOTED = 80;

    private PyValues() {
    }

    /** The Python type name of a value, never its contents (which may be huge or nested). */
    public static String typeName(Object v) {
        return switch (v) {
            case null -> "null";
            case PyNone n -> "None";
            case Boolean b -> "bool";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case String s -> "str";
            case PyBytes b -> "bytes";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case PyCallable c -> c.name();
            case StorageType s -> s.toString();
            case StorageRef s -> "storage";
            case TensorRef t -> "tensor";
            default -> v.getClass().getSimpleName();
        };
    }

    /** A Python int that fits a long. */
    public static long asLong(Object v, String what) throws WeightFileException {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof BigInteger) {
            throw new WeightFileException(what + " is an integer beyond 64 bits");
        }
        throw new WeightFileException(what + " should be an int, found " + typeName(v));
    }

    /** A non-negative Python int. */
    public static long asNonNegative(Object v, String what) throws WeightFileException {
        long n = asLong(v, what);
        if (n < 0) {
            throw new WeightFileException(what + " is negative (" + n + ")");
        }
        return n;
    }

    public static boolean asBool(Object v, String what) throws WeightFileException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l && (l == 0 || l == 1)) {
            return l == 1;
        }
        throw new WeightFileException(what + " should be a bool, found " + typeName(v));
    }

    /** A str, or bytes holding ASCII (Python 2 pickles). */
    public static String asString(Object v, String what) throws WeightFileException {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof PyBytes b) {
            try {
                return StandardCharsets.US_ASCII.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b.value())).toString();
            } catch (CharacterCodingException e) {
                throw new WeightFileException(what + " is bytes that are not ASCII");
            }
        }
        throw new WeightFileException(what + " should be a str, found " + typeName(v));
    }

    public static PyTuple asTuple(Object v, String what) throws WeightFileException {
        if (v instanceof PyTuple t) {
            return t;
        }
        throw new WeightFileException(what + " should be a tuple, found " + typeName(v));
    }

    /**
     * Checks a dict key. State dicts, their _metadata and torch's sys-info use only short str keys;
     * allowing nothing else keeps every hash and comparison cheap whatever the file does (no
     * cyclic or deep keys, no long colliding strings compared over and over).
     */
    static String asKey(Object v) throws WeightFileException {
        if (!(v instanceof String s)) {
            throw new WeightFileException("dict key is a " + typeName(v) + "; weight files use only str keys");
        }
        if (s.length() > MAX_KEY_LENGTH) {
            throw new WeightFileException("dict key of " + s.length() + " characters is longer than the "
                    + MAX_KEY_LENGTH + " allowed");
        }
        return s;
    }

    /** A string from a file, quoted, cut short and with control characters escaped, for one-line messages. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        int n = Math.min(s.length(), MAX_QUOTED);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\'' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > n) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
