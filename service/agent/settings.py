"""The `/api/ask` model settings: any OpenAI-compatible chat completions API, from the environment or `.env`."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AgentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    llm_base_url: str | None = Field(default=None, description="e.g. https://api.openai.com/v1 (…/chat/completions "
                                                                "is appended).")
    llm_api_key: SecretStr | None = Field(default=None, description="Sent as `Authorization: Bearer`.")
    llm_model: str | None = Field(default=None, description="The model name the API expects.")
    ask_max_steps: int = Field(default=8, ge=1, le=32, description="Model calls per question, at most.")
    ask_timeout_seconds: float = Field(default=60.0, gt=0, description="Wall time per question, at most.")
    llm_call_timeout_seconds: float = Field(default=30.0, gt=0, description="Per model call, at most.")
    ask_rows_to_model: int = Field(default=100, ge=1, description="Rows of a result shown to the model.")

    @property
    def configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_api_key and self.llm_api_key.get_secret_value()
                    and self.llm_model)
