package org.covidct.nn.io.pickle;

import static org.covidct.nn.io.pickle.Opcodes.*;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.WeightFileException;

/**
 * A restricted unpickler for state dicts. It knows the opcodes that hold data (numbers, strings,
 * tuples, lists, dicts, memo, marks), GLOBAL only for the names in {@link AllowedGlobals}, REDUCE
 * only on those, and persistent ids only through the caller's loader. Anything else (other
 * globals, INST/OBJ/NEWOBJ, extension registries, out-of-band buffers, unknown bytes) is refused
 * with a message naming the file, the offset and the culprit. Every opcode consumes input and
 * every length is checked against the bytes present, so a hostile file can neither run code nor
 * make it loop or allocate beyond its own size.
 */
public final class Unpickler {
    /** Caps on the stack, the marks and the memo; real state dicts stay far below. */
    public static final int MAX_STACK = 1 << 20;
    public static final int MAX_MEMO = 1 << 20;
    /** Longer text arguments (protocol 0 numbers) and longer LONG4 integers are refused. */
    static final int MAX_TEXT_LINE = 256;
    static final int MAX_LONG_BYTES = 1024;
    private static final int MAX_GLOBAL_NAME = 1024;
    private static final int HIGHEST_PROTOCOL = 5;
    private static final long WORK_PER_BYTE = 16;
    private static final long BASE_WORK = 1 << 20;

    /** Turns a persistent id (a storage reference in torch files) into a value. */
    @FunctionalInterface
    public interface PersistentLoader {
        /** Throws with the problem only; the unpickler adds the file and offset. */
        Object load(Object pid) throws WeightFileException;
    }

    private final PickleInput in;
    private final PersistentLoader persistent;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private int lastOpcode;
    /**
     * Work left for what the memo could otherwise repeat without end: every value REDUCE passes
     * to a global is charged by its size, so re-calling OrderedDict(pairs) on one memoised list
     * cannot make the work grow faster than the file.
     */
    private long budget;

    /**
     * Reads one pickle from {@code data} starting at byte {@code start}; {@code source} names the
     * file in messages. A null loader refuses persistent ids.
     */
    public Unpickler(String source, MemorySegment data, long start, PersistentLoader persistent) {
        this.in = new PickleInput(source, data, start);
        this.persistent = persistent;
        this.budget = WORK_PER_BYTE * in.remaining() + BASE_WORK;
    }

    /** The offset just after the STOP opcode once {@link #load()} returned. */
    public long position() {
        return in.position();
    }

    /** Reads up to and including STOP and returns the pickled value. */
    public Object load() throws WeightFileException {
        while (true) {
            int op = in.opcode();
            lastOpcode = op;
            if (op == STOP) {
                if (markCount != 0 || stack.size() != 1) {
                    throw in.error("malformed pickle: STOP at offset " + in.opcodeStart() + " with " + stack.size()
                            + " values and " + markCount + " open marks on the stack");
                }
                return stack.removeLast();
            }
            step(op);
        }
    }

    private void step(int op) throws WeightFileException {
        switch (op) {
            case PROTO -> {
                int version = in.u8("protocol version");
                if (version > HIGHEST_PROTOCOL) {
                    throw in.error("unsupported pickle protocol " + version + " at offset " + in.opcodeStart());
                }
            }
            case FRAME -> {
                long length = in.s64("frame length");
                if (length < 0 || length > in.remaining()) {
                    throw in.error("pickle frame at offset " + in.opcodeStart() + " declares " + Long.toUnsignedString(length)
                            + " bytes but " + in.remaining() + " remain");
                }
            }
            case MARK -> pushMark();
            case POP -> {
                if (stack.size() > currentMarkBase()) {
                    stack.removeLast();
                } else {
                    popMark();
                }
            }
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case NONE -> push(PyNone.NONE);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case INT -> push(parseTextInt(in.line(MAX_TEXT_LINE, "INT argument"), true));
            case LONG -> {
                String s = in.line(MAX_TEXT_LINE, "LONG argument");
                push(parseTextInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s, false));
            }
            case BININT -> push((long) in.s32("BININT argument"));
            case BININT1 -> push((long) in.u8("BININT1 argument"));
            case BININT2 -> push((long) in.u16("BININT2 argument"));
            case LONG1 -> push(littleEndianInt(in.bytes(in.u8("LONG1 length"), "LONG1 data")));
            case LONG4 -> {
                int n = in.s32("LONG4 length");
                if (n < 0 || n > MAX_LONG_BYTES) {
                    throw in.error("LONG4 integer at offset " + in.opcodeStart() + " declares " + n
                            + " bytes; at most " + MAX_LONG_BYTES + " are accepted");
                }
                push(littleEndianInt(in.bytes(n, "LONG4 data")));
            }
            case BINFLOAT -> push(in.f64be("BINFLOAT argument"));
            case FLOAT -> push(parseTextFloat(in.line(MAX_TEXT_LINE, "FLOAT argument")));
            case BINUNICODE -> push(in.utf8(in.u32("BINUNICODE length"), "BINUNICODE string"));
            case SHORT_BINUNICODE -> push(in.utf8(in.u8("SHORT_BINUNICODE length"), "SHORT_BINUNICODE string"));
            case BINUNICODE8 -> push(in.utf8(in.s64("BINUNICODE8 length"), "BINUNICODE8 string"));
            // torch loads Python 2 str with encoding='utf-8'
            case BINSTRING -> push(in.utf8(in.s32("BINSTRING length"), "BINSTRING string"));
            case SHORT_BINSTRING -> push(in.utf8(in.u8("SHORT_BINSTRING length"), "SHORT_BINSTRING string"));
            case BINBYTES -> push(new PyBytes(in.bytes(in.u32("BINBYTES length"), "BINBYTES data")));
            case SHORT_BINBYTES -> push(new PyBytes(in.bytes(in.u8("SHORT_BINBYTES length"), "SHORT_BINBYTES data")));
            case BINBYTES8 -> push(new PyBytes(in.bytes(in.s64("BINBYTES8 length"), "BINBYTES8 data")));
            case EMPTY_TUPLE -> push(new PyTuple(List.of()));
            case TUPLE -> push(new PyTuple(popMark()));
            case TUPLE1 -> push(PyTuple.of(pop()));
            case TUPLE2 -> {
                Object b = pop();
                Object a = pop();
                push(PyTuple.of(a, b));
            }
            case TUPLE3 -> {
                Object c = pop();
                Object b = pop();
                Object a = pop();
                push(PyTuple.of(a, b, c));
            }
            case EMPTY_LIST -> push(new ArrayList<>());
            case LIST -> push(new ArrayList<>(popMark()));
            case APPEND -> {
                Object value = pop();
                list(peek()).add(value);
            }
            case APPENDS -> {
                List<Object> items = popMark();
                list(peek()).addAll(items);
            }
            case EMPTY_DICT -> push(new LinkedHashMap<>());
            case DICT -> {
                List<Object> items = popMark();
                Map<Object, Object> d = new LinkedHashMap<>();
                putPairs(d, items);
                push(d);
            }
            case SETITEM -> {
                Object value = pop();
                Object key = pop();
                putPairs(dict(peek()), Arrays.asList(key, value));
            }
            case SETITEMS -> {
                List<Object> items = popMark();
                putPairs(dict(peek()), items);
            }
            case GET -> push(memoGet(parseMemoIndex(in.line(MAX_TEXT_LINE, "GET argument"))));
            case BINGET -> push(memoGet(in.u8("BINGET index")));
            case LONG_BINGET -> push(memoGet(in.u32("LONG_BINGET index")));
            case PUT -> memoPut(parseMemoIndex(in.line(MAX_TEXT_LINE, "PUT argument")));
            case BINPUT -> memoPut(in.u8("BINPUT index"));
            case LONG_BINPUT -> memoPut(in.u32("LONG_BINPUT index"));
            case MEMOIZE -> memoPut(memo.size());
            case GLOBAL -> {
                String module = in.line(MAX_GLOBAL_NAME, "GLOBAL module name");
                String name = in.line(MAX_GLOBAL_NAME, "GLOBAL name");
                push(global(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw in.error("STACK_GLOBAL at offset " + in.opcodeStart() + " takes two str, found "
                            + PyValues.typeName(module) + " and " + PyValues.typeName(name));
                }
                push(global(m, n));
            }
            case REDUCE -> {
                Object args = pop();
                Object callable = pop();
                if (!(callable instanceof PyCallable f)) {
                    throw in.error("REDUCE at offset " + in.opcodeStart() + " cannot call a "
                            + PyValues.typeName(callable));
                }
                if (!(args instanceof PyTuple t)) {
                    throw in.error("REDUCE at offset " + in.opcodeStart() + ": arguments of " + f.name()
                            + " should be a tuple, found " + PyValues.typeName(args));
                }
                charge(t);
                try {
                    push(f.call(t));
                } catch (WeightFileException e) {
                    throw in.error("at offset " + in.opcodeStart() + ": " + e.getMessage());
                }
            }
            case BUILD -> {
                Object state = pop();
                Object target = peek();
                // OrderedDict carries only attributes such as _metadata here, which a state dict does not need.
                if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?> || state instanceof PyTuple
                        || state instanceof PyNone)) {
                    throw in.error("BUILD at offset " + in.opcodeStart() + " cannot set the state of a "
                            + PyValues.typeName(target) + " from a " + PyValues.typeName(state));
                }
            }
            case BINPERSID -> {
                Object pid = pop();
                if (persistent == null) {
                    throw in.error("unexpected persistent id at offset " + in.opcodeStart());
                }
                try {
                    push(persistent.load(pid));
                } catch (WeightFileException e) {
                    throw in.error("persistent id at offset " + in.opcodeStart() + ": " + e.getMessage());
                }
            }
            default -> {
                String name = Opcodes.name(op);
                throw in.error((name == null ? "unknown pickle opcode " : "unsupported pickle opcode ")
                        + Opcodes.describe(op) + " at offset " + in.opcodeStart()
                        + (name == null ? "" : "; a weight file needs only plain data and allow-listed globals"));
            }
        }
    }

    private Object global(String module, String name) throws WeightFileException {
        Object value = AllowedGlobals.resolve(module, name);
        if (value == null) {
            throw in.error("refusing global " + PyValues.quote(module + "." + name) + " at offset "
                    + in.opcodeStart() + ": a weight file may only reference " + String.join(", ", AllowedGlobals.names()));
        }
        return value;
    }

    private void charge(PyTuple args) throws WeightFileException {
        long work = 1 + args.size();
        for (Object a : args.items()) {
            if (a instanceof List<?> l) {
                work += l.size();
            } else if (a instanceof Map<?, ?> m) {
                work += m.size();
            } else if (a instanceof PyTuple t) {
                work += t.size();
            }
        }
        budget -= work;
        if (budget < 0) {
            throw in.error("pickle at offset " + in.opcodeStart() + " asks for more work than its size allows"
                    + " (the same values passed to globals over and over)");
        }
    }

    // ---- stack and marks --------------------------------------------------------------------------

    private void push(Object v) throws WeightFileException {
        if (stack.size() >= MAX_STACK) {
            throw in.error("pickle stack exceeds " + MAX_STACK + " values at offset " + in.opcodeStart());
        }
        stack.add(v);
    }

    private int currentMarkBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private Object pop() throws WeightFileException {
        if (stack.size() <= currentMarkBase()) {
            throw underflow();
        }
        return stack.removeLast();
    }

    private Object peek() throws WeightFileException {
        if (stack.size() <= currentMarkBase()) {
            throw underflow();
        }
        return stack.getLast();
    }

    private WeightFileException underflow() {
        return in.error("malformed pickle: stack underflow at offset " + in.opcodeStart() + " ("
                + Opcodes.describe(lastOpcode) + ")");
    }

    private void pushMark() throws WeightFileException {
        if (markCount >= MAX_STACK) {
            throw in.error("pickle has more than " + MAX_STACK + " open marks at offset " + in.opcodeStart());
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    /** Removes and returns the values above the innermost mark. */
    private List<Object> popMark() throws WeightFileException {
        if (markCount == 0) {
            throw in.error("malformed pickle: no MARK before offset " + in.opcodeStart() + " ("
                    + Opcodes.describe(lastOpcode) + ")");
        }
        int base = marks[--markCount];
        List<Object> top = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) throws WeightFileException {
        if (target instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw in.error(Opcodes.describe(lastOpcode) + " at offset " + in.opcodeStart() + " needs a list, found "
                + PyValues.typeName(target));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target) throws WeightFileException {
        if (target instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw in.error(Opcodes.describe(lastOpcode) + " at offset " + in.opcodeStart() + " needs a dict, found "
                + PyValues.typeName(target));
    }

    private void putPairs(Map<Object, Object> d, List<Object> items) throws WeightFileException {
        if (items.size() % 2 != 0) {
            throw in.error(Opcodes.describe(lastOpcode) + " at offset " + in.opcodeStart() + " has an odd number ("
                    + items.size() + ") of keys and values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            try {
                d.put(PyValues.asKey(items.get(i)), items.get(i + 1));
            } catch (WeightFileException e) {
                throw in.error("at offset " + in.opcodeStart() + ": " + e.getMessage());
            }
        }
    }

    // ---- memo -------------------------------------------------------------------------------------

    private Object memoGet(long index) throws WeightFileException {
        Object v = memo.get(index);
        if (v == null) {
            throw in.error("malformed pickle: memo entry " + index + " read at offset " + in.opcodeStart()
                    + " was never stored");
        }
        return v;
    }

    private void memoPut(long index) throws WeightFileException {
        Object top = peek();
        if (!memo.containsKey(index) && memo.size() >= MAX_MEMO) {
            throw in.error("pickle memo exceeds " + MAX_MEMO + " entries at offset " + in.opcodeStart());
        }
        memo.put(index, top);
    }

    private long parseMemoIndex(String s) throws WeightFileException {
        Object v = parseTextInt(s, false);
        if (!(v instanceof Long l) || l < 0) {
            throw in.error("memo index " + PyValues.quote(s) + " at offset " + in.opcodeStart() + " is invalid");
        }
        return l;
    }

    // ---- numbers ----------------------------------------------------------------------------------

    private Object parseTextInt(String s, boolean boolForms) throws WeightFileException {
        if (boolForms && s.equals("00")) {
            return Boolean.FALSE;
        }
        if (boolForms && s.equals("01")) {
            return Boolean.TRUE;
        }
        if (!s.matches("[+-]?[0-9]+")) {
            throw in.error("integer " + PyValues.quote(s) + " at offset " + in.opcodeStart() + " is malformed");
        }
        return normalise(new BigInteger(s.startsWith("+") ? s.substring(1) : s));
    }

    private Object parseTextFloat(String s) throws WeightFileException {
        switch (s) {
            case "inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan" -> {
                return Double.NaN;
            }
            default -> {
                if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                    throw in.error("float " + PyValues.quote(s) + " at offset " + in.opcodeStart() + " is malformed");
                }
                return Double.parseDouble(s);
            }
        }
    }

    /** Two's-complement little-endian bytes, as LONG1 and LONG4 hold them. */
    private static Object littleEndianInt(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return normalise(new BigInteger(be));
    }

    private static Object normalise(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
