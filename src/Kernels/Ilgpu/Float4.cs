using System.Runtime.InteropServices;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// Four floats as one 16-byte value: ILGPU's PTX backend loads and stores a 16-byte struct with
/// one vector instruction (ld.shared.v4.f32 / ld.v4.f32), so a kernel that reads its shared tile
/// through a Float4 view issues a quarter of the load instructions. The address must be 16-byte
/// aligned: ILGPU declares shared arrays `.align 16`, and the tile layouts keep every Float4 read
/// at a multiple of 4 floats (a static PTX test checks the declarations).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Float4
{
    public float X, Y, Z, W;
}
