package org.clipwsss.runtime.graph;

/** ONNX tensor element types the project uses, with their {@code TensorProto.DataType} codes. */
public enum ElemType {
    FLOAT(1, 4), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2), UINT8(2, 1), INT8(3, 1);

    private final int onnxCode;
    private final int bytes;

    ElemType(int onnxCode, int bytes) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
    }

    public int onnxCode() {
        return onnxCode;
    }

    public int bytes() {
        return bytes;
    }
}
