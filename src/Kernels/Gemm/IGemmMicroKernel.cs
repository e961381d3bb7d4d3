namespace SparseCore.Kernels.Gemm;

/// <summary>
/// A register-blocked MR×NR micro-kernel and the cache blocking that feeds it. Implemented by
/// structs so <see cref="PackedGemm{TKernel}"/> is specialised per kernel by the JIT: the tile
/// sizes become constants and the kernel call is direct.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of C per micro-tile (rows of a packed A micro-panel).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per micro-tile (columns of a packed B micro-panel).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed panel pass (the K block).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of A packed at once per thread (a multiple of MR).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of B packed at once, shared by all threads (a multiple of NR).</summary>
    static abstract int NC { get; }

    static abstract bool IsSupported { get; }

    /// <summary>
    /// tile = alpha·(Ap·Bp) + beta·tile over a full MR×NR tile of C (row stride ldc).
    /// <paramref name="a"/>: kc steps of MR floats; <paramref name="b"/>: kc steps of NR floats.
    /// beta == 0 never reads the tile, so NaNs in a write-only C cannot leak in.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);
}
