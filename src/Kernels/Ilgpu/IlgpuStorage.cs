using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>One ILGPU device allocation of a pool size class; disposed only when the pool trims it.</summary>
internal sealed class IlgpuStorage<T> : DeviceStorage where T : unmanaged
{
    public IlgpuStorage(Accelerator accelerator, int capacity)
        : base(typeof(T), capacity, System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
        => Buffer = accelerator.Allocate1D<T>(capacity);

    public MemoryBuffer1D<T, Stride1D.Dense> Buffer { get; }

    public override void Dispose() => Buffer.Dispose();
}
