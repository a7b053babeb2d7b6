package org.covidct.nn.io.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.nn.io.WeightFileException;

/**
 * The only globals a weight file may name: the ones torch.save writes for a state dict. Each one
 * is a plain Java value; nothing is looked up by reflection, so a file cannot reach any other class.
 */
public final class AllowedGlobals {
    /** Tensors of higher rank than this are refused outright. */
    static final int MAX_RANK = 64;

    private static final Map<String, Object> GLOBALS = new LinkedHashMap<>();

    static {
        add("collections.OrderedDict", callable("collections.OrderedDict", AllowedGlobals::orderedDict));
        add("torch._utils._rebuild_tensor", callable("torch._utils._rebuild_tensor", args -> {
            arity("torch._utils._rebuild_tensor", args, 4, 4);
            return rebuildTensor(args);
        }));
        add("torch._utils._rebuild_tensor_v2", callable("torch._utils._rebuild_tensor_v2", args -> {
            // torch >= 2.0 appends a metadata dict as a seventh argument.
            arity("torch._utils._rebuild_tensor_v2", args, 6, 7);
            PyValues.asBool(args.get(4), "requires_grad of _rebuild_tensor_v2");
            return rebuildTensor(args);
        }));
        add("torch._utils._rebuild_parameter", callable("torch._utils._rebuild_parameter", args -> {
            arity("torch._utils._rebuild_parameter", args, 3, 3);
            return parameterData(args);
        }));
        add("torch._utils._rebuild_parameter_with_state",
                callable("torch._utils._rebuild_parameter_with_state", args -> {
                    arity("torch._utils._rebuild_parameter_with_state", args, 4, 4);
                    return parameterData(args);
                }));
        for (StorageType t : StorageType.values()) {
            add("torch." + t.className(), t);
        }
    }

    private AllowedGlobals() {
    }

    private static void add(String name, Object value) {
        GLOBALS.put(name, value);
    }

    /** The value of global {@code module.name}, or null when a weight file may not reference it. */
    public static Object resolve(String module, String name) {
        return GLOBALS.get(module + "." + name);
    }

    /** Dotted names of the allowed globals, in a fixed order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(GLOBALS.keySet());
    }

    @FunctionalInterface
    private interface Body {
        Object call(PyTuple args) throws WeightFileException;
    }

    private static PyCallable callable(String name, Body body) {
        return new PyCallable() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Object call(PyTuple args) throws WeightFileException {
                return body.call(args);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static void arity(String name, PyTuple args, int min, int max) throws WeightFileException {
        if (args.size() < min || args.size() > max) {
            throw new WeightFileException(name + " called with " + args.size() + " arguments, expected "
                    + (min == max ? Integer.toString(min) : min + " to " + max));
        }
    }

    /** OrderedDict(), OrderedDict(pairs) as Python 2 pickles it, or OrderedDict(dict). */
    private static Object orderedDict(PyTuple args) throws WeightFileException {
        arity("collections.OrderedDict", args, 0, 1);
        Map<Object, Object> out = new LinkedHashMap<>();
        if (args.size() == 0) {
            return out;
        }
        Object init = args.get(0);
        if (init instanceof Map<?, ?> m) {
            out.putAll(m);
            return out;
        }
        List<?> pairs = init instanceof PyTuple t ? t.items() : init instanceof List<?> l ? l : null;
        if (pairs == null) {
            throw new WeightFileException("collections.OrderedDict cannot be built from a "
                    + PyValues.typeName(init));
        }
        for (Object pair : new ArrayList<>(pairs)) {
            List<?> kv = pair instanceof PyTuple t ? t.items() : pair instanceof List<?> l ? l : null;
            if (kv == null || kv.size() != 2) {
                throw new WeightFileException("collections.OrderedDict item is a " + PyValues.typeName(pair)
                        + ", not a key-value pair");
            }
            out.put(PyValues.asKey(kv.get(0)), kv.get(1));
        }
        return out;
    }

    private static Object parameterData(PyTuple args) throws WeightFileException {
        if (!(args.get(0) instanceof TensorRef t)) {
            throw new WeightFileException("parameter data should be a tensor, found " + PyValues.typeName(args.get(0)));
        }
        PyValues.asBool(args.get(1), "requires_grad of a parameter");
        return t;
    }

    private static TensorRef rebuildTensor(PyTuple args) throws WeightFileException {
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw new WeightFileException("tensor storage should be a storage persistent id, found "
                    + PyValues.typeName(args.get(0)));
        }
        long offset = PyValues.asNonNegative(args.get(1), "tensor storage_offset");
        long[] size = longs(args.get(2), "tensor size");
        long[] stride = longs(args.get(3), "tensor stride");
        if (size.length != stride.length) {
            throw new WeightFileException("tensor size has " + size.length + " dimensions but its stride has "
                    + stride.length);
        }
        for (long s : size) {
            if (s < 0) {
                throw new WeightFileException("tensor size has a negative dimension " + s);
            }
        }
        return new TensorRef(storage, offset, size, stride);
    }

    private static long[] longs(Object v, String what) throws WeightFileException {
        PyTuple t = PyValues.asTuple(v, what);
        if (t.size() > MAX_RANK) {
            throw new WeightFileException(what + " has " + t.size() + " dimensions, more than " + MAX_RANK);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = PyValues.asLong(t.get(i), what + " element " + i);
        }
        return out;
    }
}
