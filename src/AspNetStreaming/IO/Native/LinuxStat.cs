using System.Runtime.InteropServices;

namespace AspNetStreaming.IO.Native;

/// <summary>The fields of Linux's 64-bit <c>struct stat</c> we read. They sit at the same offsets on x86-64 and
/// on the generic layout of arm64 (callers check the architecture); the struct is sized past the real one (144
/// bytes on x86-64, 128 on arm64) so the kernel's writes always land inside it.</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct LinuxStat
{
    [FieldOffset(0)] public ulong Device;
    [FieldOffset(8)] public ulong Inode;

    // st_mode is the one field read here whose offset differs: after the 8-byte st_nlink on x86-64, before the 4-byte
    // one on arm64.
    [FieldOffset(24)] public uint ModeX64;
    [FieldOffset(16)] public uint ModeArm64;
    [FieldOffset(48)] public long Size;
    [FieldOffset(88)] public long ModifiedSeconds;
    [FieldOffset(96)] public long ModifiedNanoseconds;
    [FieldOffset(104)] public long ChangedSeconds;
    [FieldOffset(112)] public long ChangedNanoseconds;

    /// <summary>The file type bits of st_mode (<c>S_IFMT</c>) for this process's architecture.</summary>
    public readonly uint FileType => (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == Architecture.X64 ? ModeX64 : ModeArm64) & 0xF000;
}
