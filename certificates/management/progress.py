"""The progress bar the certificates commands draw on stderr while they work."""


def progress_write(stream, done: int, total: int, width: int = 40) -> None:
    filled = width * done // max(total, 1)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
    stream.flush()
