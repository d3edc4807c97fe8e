import { mount } from 'svelte'
import App from './App.svelte'
import './app.css'

mount(App, { target: document.getElementById('app')! })

// The app shell is kept by a service worker (public/sw.js), so a board kept in this browser opens offline after a reload.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('The offline app shell is not available:', error))
}
