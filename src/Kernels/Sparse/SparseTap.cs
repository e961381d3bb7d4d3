namespace SparseCore.Kernels.Sparse;

/// <summary>
/// Where one nonzero of a sparse row sits in the dense weight row — (input channel, kernel row,
/// kernel column) — packed as channel·64 + ky·8 + kx, so every kernel unpacks it with shifts and
/// masks, never a division, and a row's entries in dense order are ascending ints. Three bits per
/// kernel offset suffice because <see cref="Conv.Conv2dShape.MaxKernel"/> is 7; the channel has
/// the remaining 25 bits. A linear weight's entries are (input feature, 0, 0).
/// </summary>
internal static class SparseTap
{
    public const int KernelBits = 3;
    private const int KernelMask = (1 << KernelBits) - 1;

    /// <summary>Input channels an entry can name: the channel field's range.</summary>
    public const int MaxChannels = 1 << (31 - 2 * KernelBits);

    public static int Encode(int channel, int ky, int kx) => (channel << (2 * KernelBits)) | (ky << KernelBits) | kx;

    public static int Channel(int tap) => tap >> (2 * KernelBits);

    public static int Row(int tap) => (tap >> KernelBits) & KernelMask;

    public static int Column(int tap) => tap & KernelMask;
}
