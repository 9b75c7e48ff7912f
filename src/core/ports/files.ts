/** Reads a local file the core was pointed to (a participant's reference photo). */
export interface FileReader {
  /** the file's bytes; a SitterError when it is missing or unreadable */
  read(absolutePath: string): Promise<Uint8Array>;
}
