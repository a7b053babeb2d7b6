package org.covidct.nn.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covidct.nn.io.pickle.PyNone;
import org.covidct.nn.io.pickle.PyTuple;
import org.covidct.nn.io.pickle.PyValues;
import org.covidct.nn.io.pickle.StorageRef;
import org.covidct.nn.io.pickle.StorageType;
import org.covidct.nn.io.pickle.Unpickler;

/**
 * Resolves torch.save's persistent ids to {@link StorageRef}s and remembers every root storage:
 * ('storage', type, key, location, numel) in zip files, with a sixth element, the view metadata
 * (view key, offset, size) or None, in legacy files.
 */
final class StoragePersistentIds implements Unpickler.PersistentLoader {
    private final boolean legacy;
    private final Map<String, StorageRef> roots = new LinkedHashMap<>();

    StoragePersistentIds(boolean legacy) {
        this.legacy = legacy;
    }

    /** Root storages by key, in the order the pickle first named them. */
    Map<String, StorageRef> roots() {
        return Collections.unmodifiableMap(roots);
    }

    @Override
    public Object load(Object pid) throws WeightFileException {
        PyTuple t = PyValues.asTuple(pid, "persistent id");
        if (t.size() == 0) {
            throw new WeightFileException("persistent id is an empty tuple");
        }
        String kind = PyValues.asString(t.get(0), "persistent id type");
        if (kind.equals("module")) {
            throw new WeightFileException("the file pickles a whole nn.Module; only state dicts"
                    + " (torch.save(model.state_dict(), ...)) can be read");
        }
        if (!kind.equals("storage")) {
            throw new WeightFileException("unknown persistent id type " + PyValues.quote(kind));
        }
        int expected = legacy ? 6 : 5;
        if (t.size() != expected) {
            throw new WeightFileException("storage persistent id has " + t.size() + " elements, expected " + expected);
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw new WeightFileException("storage type should be a torch.*Storage class, found "
                    + PyValues.typeName(t.get(1)));
        }
        String key = PyValues.asString(t.get(2), "storage key");
        if (key.length() > PyValues.MAX_KEY_LENGTH) {
            throw new WeightFileException("storage key of " + key.length() + " characters is longer than the "
                    + PyValues.MAX_KEY_LENGTH + " allowed");
        }
        PyValues.asString(t.get(3), "storage location");
        long numel = PyValues.asNonNegative(t.get(4), "storage size");
        StorageRef root = StorageRef.whole(type, key, numel);
        StorageRef previous = roots.putIfAbsent(key, root);
        if (previous != null && !previous.equals(root)) {
            throw new WeightFileException("storage " + PyValues.quote(key) + " is named as " + numel + " elements of "
                    + type + " and as " + previous.rootNumel() + " elements of " + previous.type());
        }
        if (legacy && !(t.get(5) instanceof PyNone)) {
            PyTuple view = PyValues.asTuple(t.get(5), "storage view metadata");
            if (view.size() != 3) {
                throw new WeightFileException("storage view metadata has " + view.size() + " elements, expected 3");
            }
            PyValues.asString(view.get(0), "storage view key");
            long offset = PyValues.asNonNegative(view.get(1), "storage view offset");
            long size = PyValues.asNonNegative(view.get(2), "storage view size");
            if (offset > numel || size > numel - offset) {
                throw new WeightFileException("storage view [" + offset + ", +" + size + ") lies outside storage "
                        + PyValues.quote(key) + " of " + numel + " elements");
            }
            return new StorageRef(type, key, numel, offset, size);
        }
        return root;
    }
}
