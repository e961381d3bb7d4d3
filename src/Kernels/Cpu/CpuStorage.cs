using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>A pinned managed array: pinned so kernels can take raw pointers without fixing per call.</summary>
internal sealed class CpuStorage<T> : DeviceStorage where T : unmanaged
{
    public CpuStorage(int capacity) : base(typeof(T), capacity, System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
        => Array = GC.AllocateArray<T>(capacity, pinned: true);

    public T[] Array { get; private set; }

    public override void Dispose() => Array = [];
}
