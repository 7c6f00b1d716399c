// A classic-BPF seccomp filter, handed to bubblewrap with `--seccomp FD`, that forbids creating user
// namespaces inside the sandbox (clone/unshare with CLONE_NEWUSER; clone3, whose flags live in
// memory BPF cannot read, answers ENOSYS so libc falls back to clone). A function is an unprivileged
// uid already; this closes the remaining door to namespace-root capabilities and kernel attack surface.

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;

interface ArchSyscalls {
  auditArch: number;
  clone: number;
  unshare: number;
  clone3: number;
}

const ARCHES: Record<string, ArchSyscalls> = {
  x64: { auditArch: 0xc000003e, clone: 56, unshare: 272, clone3: 435 },
  arm64: { auditArch: 0xc00000b7, clone: 220, unshare: 97, clone3: 435 },
};

type Insn = [code: number, jt: number, jf: number, k: number];

/** The filter for this host's architecture, or undefined where it has none. */
export function noUserNamespaceFilter(arch: string = process.arch): Buffer | undefined {
  const a = ARCHES[arch];
  if (a === undefined) return undefined;
  // Jump offsets count instructions after the jump itself.
  const program: Insn[] = [
    /* 0 */ [BPF_LD_W_ABS, 0, 0, 4], // seccomp_data.arch
    /* 1 */ [BPF_JEQ_K, 1, 0, a.auditArch],
    /* 2 */ [BPF_RET_K, 0, 0, RET_KILL_PROCESS], // a foreign ABI (e.g. int 0x80) is never legitimate here
    /* 3 */ [BPF_LD_W_ABS, 0, 0, 0], // seccomp_data.nr
    /* 4 */ [BPF_JEQ_K, 4, 0, a.clone], // -> 9
    /* 5 */ [BPF_JEQ_K, 3, 0, a.unshare], // -> 9
    /* 6 */ [BPF_JEQ_K, 5, 0, a.clone3], // -> 12
    /* 7 */ [BPF_JGE_K, 3, 0, 0x40000000], // x32 ABI numbers -> 11
    /* 8 */ [BPF_RET_K, 0, 0, RET_ALLOW],
    /* 9 */ [BPF_LD_W_ABS, 0, 0, 16], // low 32 bits of args[0] (flags), little-endian
    /* 10 */ [BPF_JSET_K, 0, 2, CLONE_NEWUSER], // set -> 11, clear -> 13
    /* 11 */ [BPF_RET_K, 0, 0, RET_ERRNO | EPERM],
    /* 12 */ [BPF_RET_K, 0, 0, RET_ERRNO | ENOSYS],
    /* 13 */ [BPF_RET_K, 0, 0, RET_ALLOW],
  ];
  const buf = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
