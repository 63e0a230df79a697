"""The HTTP faces of the two parties: FastAPI apps, served by uvicorn or run in process."""
