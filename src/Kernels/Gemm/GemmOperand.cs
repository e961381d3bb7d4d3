namespace SparseCore.Kernels.Gemm;

/// <summary>
/// op(X) as a strided view: element (row, col) is at Ptr[row·RowStride + col·ColStride].
/// A transpose just swaps the strides, which is how packing absorbs transA/transB.
/// </summary>
internal readonly unsafe struct GemmOperand(float* ptr, nint rowStride, nint colStride)
{
    public readonly float* Ptr = ptr;
    public readonly nint RowStride = rowStride;
    public readonly nint ColStride = colStride;

    /// <summary>op(X) for a tight row-major X of rows×cols (transposed: stored cols×rows).</summary>
    public static GemmOperand RowMajor(float* ptr, bool transposed, int rows, int cols) =>
        transposed ? new GemmOperand(ptr, 1, rows) : new GemmOperand(ptr, cols, 1);

    public float this[nint row, nint col] => Ptr[row * RowStride + col * ColStride];
}
