package org.covidct.nn.io.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnpicklerTest {
    /**
     * pickle.dumps(v, protocol=p).hex() for v = {'a': (1, -2, 300, 70000, -70000, 3.5, True, False,
     * None, [1, 2**70, -2**63, 2**63-1]), 'b': 'h\u00e9llo', 'c': (), 'd': [], 'e': ((1,), (2, 3),
     * (4, 5, 6))}, from CPython 3.
     */
    private static final String PROTOCOL_1 = "7d7100285801000000617101284b014afeffffff4d2c014a701101004a90eefeff4740"
            + "0c0000000000004930310a4930300a4e5d7102284b014c313138303539313632303731373431313330333432344c0a4c2d39"
            + "3232333337323033363835343737353830384c0a4c393232333337323033363835343737353830374c0a6574710358010000"
            + "00627104580600000068c3a96c6c6f710558010000006371062958010000006471075d7108580100000065710928284b0174"
            + "710a284b024b0374710b284b044b054b0674710c74710d752e";
    private static final String PROTOCOL_2 = "80027d7100285801000000617101284b014afeffffff4d2c014a701101004a90eefe"
            + "ff47400c00000000000088894e5d7102284b018a090000000000000000408a0800000000000000808a08ffffffffffffff7f"
            + "657471035801000000627104580600000068c3a96c6c6f710558010000006371062958010000006471075d71085801000000"
            + "6571094b0185710a4b024b0386710b4b044b054b0687710c87710d752e";
    private static final String PROTOCOL_4 = "80049581000000000000007d94288c016194284b014afeffffff4d2c014a70110100"
            + "4a90eefeff47400c00000000000088894e5d94284b018a090000000000000000408a0800000000000000808a08ffffffffff"
            + "ffff7f6574948c0162948c0668c3a96c6c6f948c016394298c0164945d948c0165944b0185944b024b0386944b044b054b06"
            + "87948794752e";
    /** pickle.dumps({'bytes': b'xyz', 'shared': ([1, 2], same list)}, protocol=4). */
    private static final String SHARED = "80049528000000000000007d94288c05627974657394430378797a948c06736861726564"
            + "945d94284b014b026568048694752e";

    private static Object load(byte[] pickle) throws WeightFileException {
        return new Unpickler("test.pkl", MemorySegment.ofArray(pickle), 0, null).load();
    }

    private static String failure(byte[] pickle) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> load(pickle));
        assertTrue(e.getMessage().startsWith("test.pkl: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {1, 2, 4})
    void readsWhatCPythonWrites(int protocol) throws WeightFileException {
        String hex = switch (protocol) {
            case 1 -> PROTOCOL_1;
            case 2 -> PROTOCOL_2;
            default -> PROTOCOL_4;
        };
        Map<?, ?> v = assertInstanceOf(Map.class, load(HexFormat.of().parseHex(hex)));
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(v.keySet()));
        PyTuple a = (PyTuple) v.get("a");
        assertEquals(List.of(1L, -2L, 300L, 70000L, -70000L, 3.5, true, false, PyNone.NONE), a.items().subList(0, 9));
        assertEquals(List.of(1L, BigInteger.TWO.pow(70), Long.MIN_VALUE, Long.MAX_VALUE), a.get(9));
        assertEquals("h\u00e9llo", v.get("b"));
        assertEquals(PyTuple.of(), v.get("c"));
        assertEquals(List.of(), v.get("d"));
        assertEquals(PyTuple.of(PyTuple.of(1L), PyTuple.of(2L, 3L), PyTuple.of(4L, 5L, 6L)), v.get("e"));
    }

    @Test
    void memoSharesObjectsAndBytesAreKept() throws WeightFileException {
        Map<?, ?> v = (Map<?, ?>) load(HexFormat.of().parseHex(SHARED));
        assertEquals(new PyBytes(new byte[] {'x', 'y', 'z'}), v.get("bytes"));
        PyTuple shared = (PyTuple) v.get("shared");
        assertSame(shared.get(0), shared.get(1));
    }

    @Test
    void unknownOpcodeIsNamedWithItsOffset() {
        String m = failure(PickleBytes.proto2().op(0xff).stop().bytes());
        assertTrue(m.contains("unknown pickle opcode 0xff at offset 2"), m);
    }

    @Test
    void objectBuildingOpcodesAreRefusedByName() {
        String m = failure(PickleBytes.proto2().global("collections", "OrderedDict").op(')').op(0x81).stop().bytes());
        assertTrue(m.contains("unsupported pickle opcode 0x81 (NEWOBJ) at offset 28"), m);
        m = failure(PickleBytes.proto2().op('(').op('i').raw("os\nsystem\n".getBytes()).stop().bytes());
        assertTrue(m.contains("unsupported pickle opcode 0x69 (INST) at offset 3"), m);
    }

    @Test
    void forbiddenGlobalsAreRefusedBeforeAnythingIsCalled() {
        String m = failure(PickleBytes.proto2().global("os", "system").str("echo pwned").op(0x85).op('R').stop().bytes());
        assertTrue(m.contains("refusing global 'os.system' at offset 2"), m);
        m = failure(new PickleBytes().op(0x80).u8(4).op(0x8c).u8(8).raw("builtins".getBytes()).op(0x8c).u8(4)
                .raw("eval".getBytes()).op(0x93).stop().bytes());
        assertTrue(m.contains("refusing global 'builtins.eval'"), m);
        m = failure(PickleBytes.proto2().global("torch", "load").stop().bytes());
        assertTrue(m.contains("'torch.load'") && m.contains("collections.OrderedDict"), m);
    }

    @Test
    void allowListedGlobalsAreOnlyWhatAStateDictNeeds() {
        assertTrue(AllowedGlobals.names().contains("torch._utils._rebuild_tensor_v2"));
        assertTrue(AllowedGlobals.names().contains("torch.HalfStorage"));
        for (String name : AllowedGlobals.names()) {
            assertTrue(name.startsWith("torch.") || name.equals("collections.OrderedDict"), name);
        }
    }

    @Test
    void aStorageClassCannotBeCalled() {
        String m = failure(PickleBytes.proto2().global("torch", "FloatStorage").op(')').op('R').stop().bytes());
        assertTrue(m.contains("REDUCE at offset 23 cannot call a torch.FloatStorage"), m);
    }

    @Test
    void declaredLengthsAreCheckedAgainstTheBytesPresent() {
        String m = failure(PickleBytes.proto2().op('X').i32(-1).stop().bytes());
        assertTrue(m.contains("needs 4294967295 bytes but 1 remain"), m);
        m = failure(PickleBytes.proto2().op(0x8e).i64(Long.MAX_VALUE).stop().bytes());
        assertTrue(m.contains("needs " + Long.MAX_VALUE + " bytes"), m);
        m = failure(PickleBytes.proto2().op(0x8d).i64(-5).stop().bytes());
        assertTrue(m.contains("negative length -5"), m);
        m = failure(PickleBytes.proto2().op(0x8b).i32(1 << 30).stop().bytes());
        assertTrue(m.contains("LONG4 integer at offset 2 declares 1073741824 bytes"), m);
        m = failure(PickleBytes.proto2().op(0x95).i64(1L << 40).stop().bytes());
        assertTrue(m.contains("frame at offset 2 declares 1099511627776 bytes"), m);
    }

    @Test
    void malformedStructureIsReported() {
        assertTrue(failure(PickleBytes.proto2().op('R').stop().bytes()).contains("stack underflow at offset 2"));
        assertTrue(failure(PickleBytes.proto2().op('t').stop().bytes()).contains("no MARK before offset 2"));
        assertTrue(failure(PickleBytes.proto2().op('h').u8(3).stop().bytes()).contains("memo entry 3"));
        assertTrue(failure(PickleBytes.proto2().op('N').bytes()).contains("without a STOP"));
        assertTrue(failure(PickleBytes.proto2().op('N').op('N').stop().bytes()).contains("2 values"));
        assertTrue(failure(PickleBytes.proto2().op(')').op('N').op('a').stop().bytes()).contains("needs a list"));
        assertTrue(failure(PickleBytes.proto2().op('}').integer(1).op('s').stop().bytes())
                .contains("stack underflow"));
        assertTrue(failure(new PickleBytes().op(0x80).u8(6).op('N').stop().bytes()).contains("protocol 6"));
        assertTrue(failure(new byte[0]).contains("without a STOP"));
    }

    @Test
    void aMarkBoundsWhatOpcodesMayPop() {
        // Python's unpickler sees only the values above the innermost mark.
        String m = failure(PickleBytes.proto2().op('N').op('(').op(0x85).stop().bytes());
        assertTrue(m.contains("stack underflow"), m);
    }

    @Test
    void dictKeysAreShortStrings() {
        // l = []; l.append(l); {l: 0}: hashing it in Java would recurse without end.
        byte[] cyclic = PickleBytes.proto2().op('}').op(']').op('q').u8(0).op('h').u8(0).op('a')
                .integer(0).op('s').stop().bytes();
        assertTrue(failure(cyclic).contains("at offset 11: dict key is a list; weight files use only str keys"),
                failure(cyclic));
        PickleBytes deep = PickleBytes.proto2().op('}').op(')');
        for (int i = 0; i < 100_000; i++) {
            deep.op(0x85);
        }
        assertTrue(failure(deep.integer(0).op('s').stop().bytes()).contains("dict key is a tuple"));
        assertTrue(failure(PickleBytes.proto2().op('}').integer(3).integer(0).op('s').stop().bytes())
                .contains("dict key is a int"));
        String m = failure(PickleBytes.proto2().op('}').str("k".repeat(2000)).integer(0).op('s').stop().bytes());
        assertTrue(m.contains("dict key of 2000 characters is longer than the 1024 allowed"), m);
        m = failure(PickleBytes.proto2().global("collections", "OrderedDict").op(']').op(']').integer(1).op('a')
                .integer(2).op('a').op('a').op(0x85).op('R').stop().bytes());
        assertTrue(m.contains("collections.OrderedDict") || m.contains("dict key is a int"), m);
    }

    @Test
    void callingGlobalsOnOneMemoisedValueOverAndOverIsCut() {
        PickleBytes p = PickleBytes.proto2().global("collections", "OrderedDict").op('q').u8(0).op('0')
                .str("k").integer(1).op(0x86).op('q').u8(1).op('0')
                .op(']').op('(');
        for (int i = 0; i < 50_000; i++) {
            p.op('h').u8(1);
        }
        p.op('e').op('q').u8(2).op('0').op('N');
        for (int i = 0; i < 400; i++) {
            p.op('h').u8(0).op('h').u8(2).op(0x85).op('R').op('0');
        }
        String m = failure(p.stop().bytes());
        assertTrue(m.contains("asks for more work than its size allows"), m);
    }

    @Test
    void deepNestingAsAValueNeedsNoRecursion() throws WeightFileException {
        PickleBytes deep = PickleBytes.proto2().op(')');
        for (int i = 0; i < 200_000; i++) {
            deep.op(0x85);
        }
        Object v = load(deep.stop().bytes());
        assertEquals("tuple of 1 items", v.toString());
    }

    @Test
    void orderedDictRebuildsFromPythonTwoPairs() throws WeightFileException {
        byte[] p = PickleBytes.proto2().global("collections", "OrderedDict").op(']').op('(')
                .op(']').op('(').str("k").integer(5).op('e')
                .op('e').op(0x85).op('R').stop().bytes();
        assertEquals(Map.of("k", 5L), load(p));
    }

    @Test
    void persistentIdsNeedALoader() throws WeightFileException {
        byte[] p = PickleBytes.proto2().str("x").op('Q').stop().bytes();
        assertTrue(failure(p).contains("unexpected persistent id at offset"));
        Object v = new Unpickler("test.pkl", MemorySegment.ofArray(p), 0, pid -> "loaded " + pid).load();
        assertEquals("loaded x", v);
    }

    @Test
    void consecutivePicklesAreReadFromWhereTheLastStopped() throws WeightFileException {
        byte[] two = PickleBytes.proto2().integer(1001).stop().op(0x80).u8(2).str("b").stop().bytes();
        Unpickler first = new Unpickler("test.pkl", MemorySegment.ofArray(two), 0, null);
        assertEquals(1001L, first.load());
        assertEquals("b", new Unpickler("test.pkl", MemorySegment.ofArray(two), first.position(), null).load());
    }

    @Test
    void textIntegersAndFloatsOfProtocolZero() throws WeightFileException {
        byte[] p = new PickleBytes().op('(').op('I').raw("-12\n".getBytes()).op('L').raw("99999999999999999999L\n".getBytes())
                .op('F').raw("2.5e-3\n".getBytes()).op('I').raw("01\n".getBytes()).op('t').stop().bytes();
        assertEquals(PyTuple.of(-12L, new BigInteger("99999999999999999999"), 2.5e-3, true), load(p));
        assertTrue(failure(new PickleBytes().op('I').raw("12x\n".getBytes()).stop().bytes()).contains("malformed"));
        assertTrue(failure(new PickleBytes().op('I').raw("1".repeat(300).getBytes()).stop().bytes())
                .contains("longer than 256 bytes"));
    }
}
